package io.waitroom.cli;

import io.waitroom.receipts.SigningKeys;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code keys rotate}: a new receipt signing key that signs from then on. */
@Command(
    name = "keys",
    description = "Manage the receipt signing keys.",
    subcommands = {KeysCommand.Rotate.class})
final class KeysCommand implements Callable<Integer> {
  @ParentCommand WaitroomCommand parent;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /**
   * Appends a new Ed25519 key to the key file (WAITROOM_SIGNING_KEY's path, else the data dir's
   * signing-keys.pem). Running nodes pick it up within 10 s; the old keys stay published.
   */
  @Command(
      name = "rotate",
      description =
          "Add a new signing key that signs from then on; old public keys stay published so old"
              + " receipts keep verifying. Copy the file to every node.")
  static final class Rotate implements Callable<Integer> {
    @ParentCommand KeysCommand keys;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      var config = keys.parent.config();
      String bundle = SigningKeys.rotate(config);
      var out = spec.commandLine().getOut();
      var err = spec.commandLine().getErr();
      if (config.signingKey() != null && config.signingKey().contains("-----BEGIN")) {
        // An inline key cannot be rewritten from here: the new bundle goes to stdout.
        out.print(bundle);
        out.flush();
        err.println(
            "WAITROOM_SIGNING_KEY holds the keys inline: set it to the bundle above (old keys"
                + " first, the new key last) on every node and restart them.");
        return 0;
      }
      SigningKeys now = SigningKeys.load(config);
      out.println(
          "added key "
              + now.current().kid()
              + " to "
              + now.source().describe()
              + " ("
              + now.all().size()
              + " keys; the newest signs). Every node must hold this file; running nodes pick it"
              + " up within 10 s.");
      out.flush();
      return 0;
    }
  }
}
