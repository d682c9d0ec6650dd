package net.dv8tion.jda.api;

import java.util.Set;
import net.dv8tion.jda.api.entities.Guild;
import net.dv8tion.jda.api.utils.cache.SnowflakeCacheView;

/**
 * Compile-time stand-in for JDA's {@code JDA}: only what the README's Shardbeat class calls, with
 * JDA 6.4's signatures and every {@code Status} constant in JDA's order (discord-jda/JDA@5410b270,
 * src/main/java/net/dv8tion/jda/api/JDA.java), so a misspelled constant or a wrong type in the
 * README does not compile. JDA itself is not on this machine.
 */
public interface JDA {
    enum Status {
        INITIALIZING,
        INITIALIZED,
        LOGGING_IN,
        CONNECTING_TO_WEBSOCKET,
        IDENTIFYING_SESSION,
        AWAITING_LOGIN_CONFIRMATION,
        LOADING_SUBSYSTEMS,
        CONNECTED,
        DISCONNECTED,
        RECONNECT_QUEUED,
        WAITING_TO_RECONNECT,
        ATTEMPTING_TO_RECONNECT,
        SHUTTING_DOWN,
        SHUTDOWN,
        FAILED_TO_LOGIN
    }

    Status getStatus();

    long getGatewayPing();

    SnowflakeCacheView<Guild> getGuildCache();

    /** The ids of the guilds Discord marks unavailable, which JDA keeps out of the guild cache. */
    Set<String> getUnavailableGuilds();
}
