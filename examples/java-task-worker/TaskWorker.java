import io.waitroom.client.Inputs.AgentInput;
import io.waitroom.client.Inputs.CheckInInput;
import io.waitroom.client.Inputs.RoomInput;
import io.waitroom.client.Model.CheckIn;
import io.waitroom.client.WaitroomClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A task worker with the Java SDK: a human posts tasks into a room, the worker (an agent) claims
 * each pending task, does the work and posts its result (the task becomes {@code submitted}), and
 * the human reviews and approves it. Run with {@code java -cp <sdk classpath> TaskWorker.java}.
 */
public class TaskWorker {
  static final String URL = System.getenv().getOrDefault("WAITROOM_URL", "http://localhost:8080");

  public static void main(String[] args) throws Exception {
    WaitroomClient human = client(humanToken());

    // Set-up a human does: a room, an agent key for the worker, and two tasks.
    String room = human.rooms().create(RoomInput.of("Support " + System.currentTimeMillis())).slug();
    String key = human.agents().register(AgentInput.of("support-worker")).apiKey();
    for (String order : List.of("A-1001", "A-1002")) {
      human.tasks().create(room, CheckInInput.of("Summarise the complaints on order " + order)
          .context(Map.of("order", order)));
    }
    System.out.println("room: " + room + ", 2 tasks posted");

    // The worker: claim every pending task, work on it, post the result.
    WaitroomClient worker = client(key);
    int done = 0;
    for (CheckIn task : worker.tasks().list(room, Map.of("status", "pending")).data()) {
      CheckIn claimed = worker.tasks().claim(task.id());
      System.out.println("worker: claimed " + claimed.id() + " (" + claimed.status() + "): " + claimed.action());
      String result = work(claimed);
      worker.tasks().submit(claimed.id(), result);
      System.out.println("worker: submitted \"" + result + "\"");
      done++;
    }

    // The human reviews each submitted task; the worker sees the verdict.
    for (CheckIn task : human.tasks().list(room, Map.of("status", "submitted")).data()) {
      human.tasks().approve(task.id(), "Thanks, looks right");
    }
    int approved = 0;
    for (CheckIn task : worker.tasks().claimed(Map.of()).data()) {
      CheckIn status = worker.tasks().status(task.id());
      System.out.println("worker: " + status.id() + " is " + status.status());
      if ("approved".equals(status.status())) approved++;
    }
    System.out.println(approved + " of " + done + " tasks approved");
    if (done != 2 || approved != 2) System.exit(1);
  }

  /** The work itself; here a stand-in. */
  static String work(CheckIn task) throws InterruptedException {
    Thread.sleep(200);
    return "Order " + task.context().get("order") + ": 2 complaints, both about late delivery.";
  }

  static WaitroomClient client(String key) {
    return WaitroomClient.builder().apiKey(key).baseUrl(URL).timeout(Duration.ofSeconds(30)).build();
  }

  /** $WAITROOM_HUMAN_TOKEN, or a token minted with the jar (run from the server's directory). */
  static String humanToken() throws Exception {
    String given = System.getenv("WAITROOM_HUMAN_TOKEN");
    if (given != null && !given.isEmpty()) return given;
    Process p = new ProcessBuilder("java", "-jar", "target/waitroom.jar", "token",
            "--org", "acme", "--sub", "alice", "--name", "Alice")
        .directory(Path.of(System.getProperty("user.dir")).toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    String token = new String(p.getInputStream().readAllBytes()).trim();
    if (p.waitFor() != 0) throw new IllegalStateException("could not mint a token");
    return token;
  }
}
