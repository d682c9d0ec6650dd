package net.dv8tion.jda.api.sharding;

/**
 * Compile-time stand-in for JDA's {@code DefaultShardManagerBuilder}: the calls the README's
 * usage block makes, with JDA 6.4's signatures. Only compiled against, never built.
 */
public class DefaultShardManagerBuilder {
    public static DefaultShardManagerBuilder createDefault(String token) {
        return new DefaultShardManagerBuilder();
    }

    public DefaultShardManagerBuilder setShardsTotal(int shardsTotal) {
        return this;
    }

    public DefaultShardManagerBuilder setShards(int minShardId, int maxShardId) {
        return this;
    }

    public ShardManager build() {
        throw new UnsupportedOperationException("a compile-time stand-in: JDA is not on this machine");
    }
}
