package dev.loomport.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation: {@code 10.0.0.0/8}, {@code fd00::/8}; a bare address is a
 * network of one ({@code /32}, {@code /128}). Only IP literals are accepted, so parsing never asks DNS.
 * Public only so {@code dev.loomport.ListenerConfig} can check its values at once; not exported.
 */
public final class Cidr {
    /** A dotted IPv4 literal, each part 0..255 without leading zeros; the PROXY v1 parser uses it too. */
    static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /**
     * Parses {@code address/prefix} or a bare address.
     *
     * @throws IllegalArgumentException naming the value: not an IP literal, a prefix out of range, or
     *         host bits set below the prefix ({@code 10.0.0.1/8})
     */
    public static Cidr parse(String value) {
        Objects.requireNonNull(value, "network");
        String text = value.strip();
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        byte[] address = literal(host, value);
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = text.substring(slash + 1);
            if (!p.matches("0|[1-9]\\d{0,2}") || Integer.parseInt(p) > bits) {
                throw new IllegalArgumentException("not a network: '" + value + "' (the prefix length of an "
                        + (bits == 32 ? "IPv4" : "IPv6") + " network is 0.." + bits + ")");
            }
            prefix = Integer.parseInt(p);
        }
        byte[] masked = mask(address, prefix);
        if (!Arrays.equals(masked, address)) {
            throw new IllegalArgumentException("not a network: '" + value + "' has bits set beyond /" + prefix
                    + "; did you mean " + format(masked, prefix) + "?");
        }
        return new Cidr(masked, prefix);
    }

    private static byte[] literal(String host, String value) {
        boolean v4 = IPV4.matcher(host).matches();
        if (!v4 && !(host.contains(":") && IPV6_CHARS.matcher(host).matches())) {
            throw new IllegalArgumentException("not a network: '" + value
                    + "' (expected an IP address with an optional /prefix, such as 10.0.0.0/8 or fd00::/8)");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a network: '" + value + "' (" + e.getMessage() + ")");
        }
        if (!v4 && address instanceof Inet4Address) {
            throw new IllegalArgumentException("not a network: '" + value
                    + "' is an IPv4-mapped IPv6 address; write the IPv4 network instead");
        }
        return address.getAddress();
    }

    /** Whether {@code address} is in this network; an address of the other family never is. */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == network.length && Arrays.equals(mask(bytes, prefix), network);
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.clamp(prefix - i * 8L, 0, 8);
            out[i] &= (byte) (0xFF00 >>> keep);
        }
        return out;
    }

    private static String format(byte[] network, int prefix) {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only for a wrong length
        }
    }

    /** The canonical form, such as {@code 10.0.0.0/8} or {@code fd00:0:0:0:0:0:0:0/8}. */
    @Override
    public String toString() {
        return format(network, prefix);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }
}
