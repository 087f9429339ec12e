package io.rampart.cluster.grid;

import org.infinispan.remoting.transport.jgroups.JGroupsChannelConfigurator;
import org.jgroups.JChannel;
import org.jgroups.conf.ProtocolConfiguration;
import org.jgroups.util.SocketFactory;

import javax.sql.DataSource;
import java.util.List;

/**
 * Hands the data grid the channel the node built itself (its own protocol stack with TLS), instead of one from a stack
 * file. The grid connects it.
 */
final class PreparedChannel implements JGroupsChannelConfigurator {

    private final JChannel channel;

    PreparedChannel(JChannel channel) {
        this.channel = channel;
    }

    @Override
    public String getName() {
        return "rampart";
    }

    @Override
    public JChannel createChannel(String name) {
        return channel;
    }

    @Override
    public void setSocketFactory(SocketFactory socketFactory) {
        throw new UnsupportedOperationException("the channel's sockets are set up by the node");
    }

    @Override
    public void setDataSource(DataSource dataSource) {
        throw new UnsupportedOperationException("no JDBC discovery");
    }

    @Override
    public String getProtocolStackString() {
        return channel.getProtocolStack().printProtocolSpecAsPlainString();
    }

    @Override
    public List<ProtocolConfiguration> getProtocolStack() {
        return List.of();
    }
}
