import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.entities.Guild;
import net.dv8tion.jda.api.sharding.ShardManager;
import net.dv8tion.jda.api.utils.cache.SnowflakeCacheView;

/**
 * Runs the README's JDA Shardbeat class (compiled beside this file, verbatim) against a fake
 * ShardManager: prints Shardbeat.state() of every JDA status as one JSON line, then starts the
 * heartbeats for cluster {@code args[2]} to {@code args[0]} with secret {@code args[1]} and waits
 * to be killed.
 *
 * The fleet: shards 0–3 of 8. 0 CONNECTED (ping 42, 2 guilds and 1 that Discord made
 * unavailable), 1 ATTEMPTING_TO_RECONNECT (ping 250, 1 guild), 2 LOADING_SUBSYSTEMS before its
 * first gateway ack (ping -1, 1 guild), 3 not started (getShardById is null).
 */
public final class ShardbeatCheck {
    public static void main(String[] args) throws InterruptedException {
        StringJoiner states = new StringJoiner(",", "{", "}");
        for (JDA.Status status : JDA.Status.values()) states.add("\"" + status + "\":\"" + Shardbeat.state(status) + "\"");
        System.out.println(states);

        Map<Integer, JDA> shards = Map.of(
                0, shard(JDA.Status.CONNECTED, 42, List.of(guild(1, 100), guild(2, 20)), Set.of("5")),
                1, shard(JDA.Status.ATTEMPTING_TO_RECONNECT, 250, List.of(guild(3, 7)), Set.of()),
                2, shard(JDA.Status.LOADING_SUBSYSTEMS, -1, List.of(guild(4, 30)), Set.of()));
        ShardManager manager = new ShardManager() {
            public JDA getShardById(int id) {
                return shards.get(id);
            }

            public int getShardsTotal() {
                return 8;
            }
        };
        Shardbeat.start(manager, args[0], args[1], Integer.parseInt(args[2]), new int[] {0, 1, 2, 3});
        System.out.println("started");
        Thread.sleep(Long.MAX_VALUE); // the heartbeat thread is a daemon: the test kills this process
    }

    static Guild guild(long id, int members) {
        return new Guild() {
            public long getIdLong() {
                return id;
            }

            public int getMemberCount() {
                return members;
            }
        };
    }

    static JDA shard(JDA.Status status, long ping, List<Guild> guilds, Set<String> unavailable) {
        SnowflakeCacheView<Guild> cache = new SnowflakeCacheView<>() {
            public long size() {
                return guilds.size();
            }

            public Iterator<Guild> iterator() {
                return guilds.iterator();
            }
        };
        return new JDA() {
            public Status getStatus() {
                return status;
            }

            public long getGatewayPing() {
                return ping;
            }

            public SnowflakeCacheView<Guild> getGuildCache() {
                return cache;
            }

            public Set<String> getUnavailableGuilds() {
                return unavailable;
            }
        };
    }
}
