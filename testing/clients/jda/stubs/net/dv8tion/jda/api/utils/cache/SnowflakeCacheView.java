package net.dv8tion.jda.api.utils.cache;

import net.dv8tion.jda.api.entities.ISnowflake;

/** Compile-time stand-in for JDA's {@code SnowflakeCacheView} (what {@code JDA.getGuildCache()} returns). */
public interface SnowflakeCacheView<T extends ISnowflake> extends CacheView<T> {}
