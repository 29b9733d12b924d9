package dev.brownout.state.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One of the store's Lua scripts, called by its SHA1 ({@code EVALSHA}) so a call does not carry the
 * source. The SHA1 is computed here, not asked of a server: in a cluster each node has a script
 * cache of its own, and a node that does not have the script (new, restarted, promoted, flushed)
 * answers {@code NOSCRIPT}; the call is then sent once with its source ({@code EVAL}), which runs
 * it on the node the key lives on and leaves it in that node's cache.
 */
final class LuaScript {
  private final byte[] source;
  private final String sha;

  /** Reads the script from {@code resource}, beside this class. */
  LuaScript(String resource) {
    try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource " + resource);
      }
      this.source = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-1", e);
    }
  }

  /** The script's SHA1, as Redis names it. */
  String sha() {
    return sha;
  }

  /** Runs the script; Lettuce's exceptions pass through for the caller to translate. */
  List<Object> run(RedisClusterCommands<byte[], byte[]> sync, byte[][] keys, byte[][] args) {
    try {
      return sync.evalsha(sha, ScriptOutputType.MULTI, keys, args);
    } catch (RedisNoScriptException e) {
      // This node does not have it (yet): once with the source, which caches it there.
      return sync.eval(source, ScriptOutputType.MULTI, keys, args);
    }
  }
}
