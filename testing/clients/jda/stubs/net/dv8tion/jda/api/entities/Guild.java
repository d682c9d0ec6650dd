package net.dv8tion.jda.api.entities;

/** Compile-time stand-in for JDA's {@code Guild}: {@code int getMemberCount()} as in JDA 6.4. */
public interface Guild extends ISnowflake {
    int getMemberCount();
}
