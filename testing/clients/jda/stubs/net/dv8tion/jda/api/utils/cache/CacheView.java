package net.dv8tion.jda.api.utils.cache;

/** Compile-time stand-in for JDA's {@code CacheView}: iterable, {@code long size()} as in JDA 6.4. */
public interface CacheView<T> extends Iterable<T> {
    long size();
}
