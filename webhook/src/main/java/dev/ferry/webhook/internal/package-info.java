/**
 * Implementation of the webhook module. Not API: any type here may change or go away in any release.
 */
package dev.ferry.webhook.internal;
