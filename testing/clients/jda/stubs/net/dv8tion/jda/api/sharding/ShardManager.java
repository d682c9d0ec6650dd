package net.dv8tion.jda.api.sharding;

import net.dv8tion.jda.api.JDA;

/**
 * Compile-time stand-in for JDA's {@code ShardManager}: {@code getShardById(int)} (null until the
 * shard is started) and {@code getShardsTotal()}, as in JDA 6.4 (default methods there).
 */
public interface ShardManager {
    JDA getShardById(int id);

    int getShardsTotal();
}
