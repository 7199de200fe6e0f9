package tcpct.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.testng.annotations.Test;

/** A target.json that is malformed, misspelt or of the wrong types fails with one line naming the file and the fix. */
public class TargetSpecTest {

    private static Path targets(String name, String targetJson, boolean withBuildScript) throws Exception {
        Path dir = Files.createTempDirectory("targets");
        Path folder = Files.createDirectories(dir.resolve(name));
        Files.writeString(folder.resolve(TargetSpec.FILE), targetJson);
        if (withBuildScript) {
            Files.writeString(folder.resolve("build.sh"), "#!/bin/sh\n");
        }
        return dir;
    }

    private static void refused(String json, String... expected) throws Exception {
        Path dir = targets("t", json, true);
        assertThatThrownBy(() -> TargetSpec.load(dir, "t")).isInstanceOf(TargetException.class)
                .hasMessageContaining(dir.resolve("t").resolve(TargetSpec.FILE).toString())
                .hasMessageNotContaining("\n").hasMessageContainingAll(expected);
    }

    @Test
    public void aWellFormedProfileLoads() throws Exception {
        Path dir = targets("t", "{\"name\": \"t\", \"stack\": \"S\", \"wiring\": \"raw\", \"capabilities\": [\"NET_RAW\"],"
                + " \"profile\": {\"sack\": true}, \"timerGranularityMs\": 10}", true);
        TargetSpec s = TargetSpec.load(dir, "t");
        assertThat(s.claims("sack")).isTrue();
        assertThat(s.capabilities()).containsExactly("NET_RAW");
        assertThat(s.timerGranularityMs()).isEqualTo(10);
    }

    @Test
    public void brokenJsonSaysWhere() throws Exception {
        refused("{\"name\": \"t\",\n \"profile\": {\"sack\": true,}}", "not valid JSON at line 2", "fix the file");
    }

    @Test
    public void misspeltKeysAndWrongTypesAreNotIgnored() throws Exception {
        refused("{\"profil\": {\"sack\": true}}", "unknown key \"profil\"", "the keys are");
        refused("{\"capabilities\": \"NET_RAW\"}", "\"capabilities\" is \"NET_RAW\"", "a list of strings");
        refused("{\"capabilities\": [1]}", "give capability names as strings");
        refused("{\"profile\": [\"sack\"]}", "\"profile\" is", "an object of true/false");
        refused("{\"profile\": {\"sack\": \"yes\"}}", "true or false");
        refused("{\"timerGranularityMs\": \"ten\"}", "a whole number");
        refused("[1, 2]", "not an object");
        refused("{\"name\": \"other\"}", "lies in folder t");
    }

    @Test
    public void aMissingBuildScriptIsNamed() throws Exception {
        Path dir = targets("t", "{\"name\": \"t\"}", false);
        assertThatThrownBy(() -> TargetSpec.load(dir, "t")).hasMessageContaining("build.sh").hasMessageContaining("add it or fix \"build\"");
    }

    @Test
    public void silenceIsTheWindowUnlessATargetDeclaresTheBarrier() throws Exception {
        assertThat(TargetSpec.load(targets("t", "{\"name\": \"t\"}", true), "t").silence().barrierIn("ESTABLISHED")).isFalse();
        TargetSpec s = TargetSpec.load(targets("t", "{\"silence\": {\"barrier\": true, \"why\": \"in order\","
                + " \"windowIn\": {\"SYN-SENT\": \"its RST comes late\"}}}", true), "t");
        assertThat(s.silence().barrierIn("ESTABLISHED")).isTrue();
        assertThat(s.silence().barrierIn("SYN-SENT")).isFalse();
        assertThat(s.silence().windowReason("SYN-SENT")).isEqualTo("its RST comes late");
    }

    @Test
    public void aSilenceDeclarationWithoutItsReasonsIsRefused() throws Exception {
        refused("{\"silence\": true}", "\"silence\" is true", "\"barrier\": true|false");
        refused("{\"silence\": {\"barrier\": true}}", "\"silence\" is");
        refused("{\"silence\": {\"barrier\": true, \"why\": \"x\", \"windowsIn\": {}}}", "unknown key \"windowsIn\"");
        refused("{\"silence\": {\"barrier\": true, \"why\": \"x\", \"windowIn\": {\"ESTAB\": \"y\"}}}", "names \"ESTAB\", which is no state");
        refused("{\"silence\": {\"barrier\": true, \"why\": \"x\", \"windowIn\": {\"LISTEN\": \"\"}}}", "gives no reason");
    }
}
