/** A {@code StateStore} on DynamoDB, through the AWS SDK v2. */
// Filled by its own issue; it exports its API package once that package has types.
module dev.brownout.state.dynamodb {
  requires transitive dev.brownout.state;
}
