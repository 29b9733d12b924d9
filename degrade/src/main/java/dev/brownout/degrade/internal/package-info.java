/** Not API: the module's declarations for {@link java.util.ServiceLoader}. */
package dev.brownout.degrade.internal;
