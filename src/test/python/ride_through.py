"""Driven by io.waitroom.ops.DatabaseRestartTest while the server's PostgreSQL is down: with the
Python SDK's default settings, a create and a check_in_and_wait must complete once the database
is back, with no error. WAITROOM_BASE_URL, WAITROOM_API_KEY (an agent key), WAITROOM_ROOM,
WAITROOM_TAG (prefix of the actions). Prints one JSON line: {created, decided}."""

import json
import os
import threading

from waitroom import WaitroomClient

client = WaitroomClient(api_key=os.environ["WAITROOM_API_KEY"], base_url=os.environ["WAITROOM_BASE_URL"])
room = os.environ["WAITROOM_ROOM"]
tag = os.environ["WAITROOM_TAG"]
out = {}


def create():
    ci = client.check_ins.create(room, action=f"{tag} create")
    out["created"] = {"id": ci.id, "status": ci.status}


t = threading.Thread(target=create)
t.start()
decided = client.check_ins.check_in_and_wait(room, action=f"{tag} wait", max_wait=90)
t.join()
out["decided"] = {"id": decided.id, "status": decided.status}
print(json.dumps(out))
