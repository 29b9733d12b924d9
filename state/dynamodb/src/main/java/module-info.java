/** A {@code StateStore} on DynamoDB, through the AWS SDK v2 (sync client, no Netty). */
module dev.brownout.state.dynamodb {
  requires transitive dev.brownout.state;
  requires transitive software.amazon.awssdk.services.dynamodb;
  requires software.amazon.awssdk.http.urlconnection;
  requires software.amazon.awssdk.regions;
  requires transitive software.amazon.awssdk.auth;
  requires software.amazon.awssdk.core;
  requires software.amazon.awssdk.awscore;
  requires software.amazon.awssdk.http;
  requires software.amazon.awssdk.identity.spi;
  requires software.amazon.awssdk.retries;
  requires software.amazon.awssdk.retries.api;
  requires org.slf4j;

  exports dev.brownout.state.dynamodb;

  provides dev.brownout.core.ModuleDeclarations with
      dev.brownout.state.dynamodb.DynamoDbDeclarations;
}
