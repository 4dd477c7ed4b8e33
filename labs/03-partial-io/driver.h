/*
 * driver.h - what the two provided programs, msgsend and msgrecv, share.
 *
 * Provided: not part of the exercise. Files are read and written with
 * stdio here, never with your readn/writen, so that a mistake in msgio.c
 * shows up on the socket, where the tests look, and nowhere else.
 */
#ifndef DRIVER_H
#define DRIVER_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32_of(const void *buf, size_t len);
int parse_number(const char *s, long min, long max, long *out);
int load_file(const char *path, unsigned char **data, size_t *len);
int save_file(const char *path, const void *data, size_t len);

#endif /* DRIVER_H */
