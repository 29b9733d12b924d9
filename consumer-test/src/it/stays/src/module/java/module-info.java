/** The application as a named module: it reads Brownout only through what Brownout exports. */
module com.example.stays {
  requires dev.brownout.flags;
  requires dev.brownout.degrade;

  // Guarded proxies call the application's methods reflectively, so the package of every guarded
  // interface is exported to brownout-core (without it, building the proxy fails, naming this
  // export).
  exports com.example.stays to
      dev.brownout.core;
}
