/**
 * Implementation of the FTP provider. Not API: any type here may change or go away in any release.
 */
package dev.ferry.ftp.internal;
