-- Human-to-agent tasks: claim, release, help, join and the thread around them.

-- At most one active primary per task, whatever the code above it does.
CREATE UNIQUE INDEX check_in_participants_one_primary ON check_in_participants (check_in_id)
  WHERE role = 'primary' AND left_at IS NULL;

-- GET /v1/rooms/:room/tasks reads only tasks, in id order.
CREATE INDEX check_ins_room_tasks ON check_ins (org_id, room_id, id)
  WHERE direction = 'human_to_agent';

-- The thread's vocabulary: four types clients write, two the server writes.
ALTER TABLE check_in_messages ADD CONSTRAINT check_in_messages_type CHECK (
  message_type IN ('comment', 'result', 'question', 'escalation', 'status_change', 'decision'));
