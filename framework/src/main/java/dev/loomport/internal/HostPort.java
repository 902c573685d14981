package dev.loomport.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The one way loomport writes an address: {@code host:port}, an IPv6 literal in brackets and in its
 * compressed form (RFC 5952: {@code [::1]:7007}, not {@code [0:0:0:0:0:0:0:1]:7007}). Public only so
 * that the API package can use it; the module does not export it.
 */
public final class HostPort {
    private HostPort() {
    }

    /** {@code host:port} of a bound or connected address. */
    public static String of(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        return of(ip != null ? text(ip) : address.getHostString(), address.getPort());
    }

    /** {@code host:port} of a configured host (a name or a literal) and port. */
    public static String of(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** An address as text: IPv4 dotted, IPv6 compressed (the longest run of two or more zero groups as {@code ::}). */
    public static String text(InetAddress address) {
        if (!(address instanceof Inet6Address v6)) {
            return address.getHostAddress();
        }
        String full = v6.getHostAddress(); // eight groups, no leading zeros, maybe "%scope"
        int percent = full.indexOf('%');
        String scope = percent >= 0 ? full.substring(percent) : "";
        String[] groups = (percent >= 0 ? full.substring(0, percent) : full).split(":");
        int bestStart = -1;
        int bestLength = 1; // RFC 5952: a single zero group is not shortened
        for (int i = 0; i < groups.length; ) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(j, i + 1);
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail + scope;
    }
}
