/**
 * Webhooks that announce a delivery: build a payload ({@link dev.ferry.webhook.VideoCopiedFtp} and the other events),
 * sign and send it ({@link dev.ferry.webhook.WebhookSigner}, {@link dev.ferry.webhook.WebhookSender}), upload and announce
 * in one call ({@link dev.ferry.webhook.Delivery}), and verify it on the receiving side
 * ({@link dev.ferry.webhook.WebhookVerifier}).
 */
package dev.ferry.webhook;
