package io.rampart.admin.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;

import java.util.List;
import java.util.Map;

/**
 * TLS for an admin listener, provided by the server (the same {@code tls:} settings and handshake handling as MQTT
 * listeners). The admin plane only places its handlers first in the channel pipeline and reads what the handshake
 * left on the channel.
 */
public interface AdminTls {

    /** The handlers that terminate TLS, in order, for a new connection. */
    List<ChannelHandler> newHandlers(Channel channel);

    /** The negotiated protocol, cipher and client-certificate fields of a connection (empty before the handshake). */
    Map<String, String> variables(Channel channel);
}
