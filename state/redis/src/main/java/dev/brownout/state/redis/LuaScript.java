package dev.brownout.state.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One of the store's Lua scripts, called by its SHA1 ({@code EVALSHA}) so a call does not carry the
 * source; loaded into the server on first use, and again if the server has lost it.
 */
final class LuaScript {
  private final String source;
  private volatile @Nullable String sha;

  /** Reads the script from {@code resource}, beside this class. */
  LuaScript(String resource) {
    try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource " + resource);
      }
      this.source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the script; Lettuce's exceptions pass through for the caller to translate. */
  List<Object> run(RedisCommands<byte[], byte[]> sync, byte[][] keys, byte[][] args) {
    String loaded = sha;
    if (loaded == null) {
      loaded = load(sync);
    }
    try {
      return sync.evalsha(loaded, ScriptOutputType.MULTI, keys, args);
    } catch (RedisNoScriptException e) {
      // The server restarted or its script cache was flushed: load it again, once.
      return sync.evalsha(load(sync), ScriptOutputType.MULTI, keys, args);
    }
  }

  private String load(RedisCommands<byte[], byte[]> sync) {
    String loaded = sync.scriptLoad(source.getBytes(StandardCharsets.UTF_8));
    sha = loaded;
    return loaded;
  }
}
