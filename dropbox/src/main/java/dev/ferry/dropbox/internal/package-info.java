/**
 * Implementation of the Dropbox provider on the Dropbox Java SDK. Not API: any type here may change or go away in any
 * release.
 */
package dev.ferry.dropbox.internal;
