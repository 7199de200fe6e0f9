package tcpct.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.testng.annotations.Test;

public class AgentLogTest {

    @Test
    public void eachRequestAndItsAnswerShareALine() {
        String raw = """
                857976 < {"id":2,"cmd":"states"}
                857976 > {"id":2,"ok":true,"endpoints":[]}
                857986 < {"id":3,"cmd":"connect","addr":"192.0.2.1","port":20001}
                857990 > {"id":3,"ok":true,"sock":3,"local":"192.0.2.2:50387","inProgress":true}
                857998 < {"id":4,"cmd":"states"}
                857998 > {"id":4,"ok":true,"endpoints":[{"local":"192.0.2.2:50387","remote":"192.0.2.1:20001","state":"SYN-SENT","code":"02"}]}
                858003 < {"id":5,"cmd":"close","sock":9}
                858003 > {"id":5,"ok":false,"error":"EBADF","message":"no such socket"}
                agent: a line of its own
                858010 < {"id":6,"cmd":"reset"}
                """;
        assertThat(AgentLog.pretty(raw).lines()).containsExactly(
                "    +0 ms  states                             ok no endpoints",
                "   +10 ms  connect addr=192.0.2.1 port=20001  ok sock=3 local=192.0.2.2:50387 inProgress=true  (4 ms)",
                "   +22 ms  states                             ok [192.0.2.2:50387 192.0.2.1:20001 SYN-SENT]",
                "   +27 ms  close sock=9                       ERROR EBADF message=no such socket",
                "agent: a line of its own",
                "   +34 ms  reset                              (no answer)");
    }
}
