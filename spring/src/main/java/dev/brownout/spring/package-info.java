/**
 * Brownout for Spring Boot: auto-configuration of every module from {@code application.yml}, an AOP
 * advisor that applies Brownout's annotations to any bean, the session and browse-only filters, the
 * admin API, health indicators. An application adds the starter and writes no wiring; what it may
 * replace is a bean of the same type ({@code StateStore}, {@code Flags}, {@link
 * dev.brownout.spring.FlagContextResolver}, ...), and the starter backs off.
 */
@NullMarked
package dev.brownout.spring;

import org.jspecify.annotations.NullMarked;
