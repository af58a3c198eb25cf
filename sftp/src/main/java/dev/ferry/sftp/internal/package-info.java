/**
 * Implementation of the SFTP provider. Not API: any type here may change or go away in any release.
 */
package dev.ferry.sftp.internal;
