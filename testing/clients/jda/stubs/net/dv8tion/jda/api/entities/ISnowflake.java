package net.dv8tion.jda.api.entities;

/** Compile-time stand-in for JDA's {@code ISnowflake} (see JDA.java beside the api folder). */
public interface ISnowflake {
    long getIdLong();
}
