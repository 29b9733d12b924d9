package dev.brownout.core.admin;

/**
 * Handles one admin request. Handlers report bad input by throwing {@link ProblemException} (or
 * {@link IllegalArgumentException}, answered as 400); anything else they throw is a bug, answered
 * as 500 problem+json and logged once.
 */
@FunctionalInterface
public interface AdminHandler {

  /** Handles {@code request}, which is already authenticated and authorised for the route. */
  AdminResponse handle(AdminRequest request);
}
