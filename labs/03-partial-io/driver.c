/*
 * driver.c - helpers shared by msgsend and msgrecv.
 *
 * Provided: not part of the exercise.
 */
#include "driver.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * crc32_of - the CRC-32 of LEN bytes at BUF (the one zlib, gzip and PNG
 * use: reflected polynomial 0xedb88320).
 *
 * Returns the checksum. The 256-entry table is built on the first call.
 */
uint32_t
crc32_of(const void *buf, size_t len)
{
	static uint32_t table[256];
	static int ready;
	const unsigned char *p = buf;
	uint32_t crc = 0xffffffffu;
	size_t i;

	if (!ready) {
		for (i = 0; i < 256; i++) {
			uint32_t c = (uint32_t)i;
			int bit;

			for (bit = 0; bit < 8; bit++)
				c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
		ready = 1;
	}
	for (i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return crc ^ 0xffffffffu;
}

/*
 * parse_number - parse S as a decimal integer in [MIN, MAX] into *OUT.
 *
 * Returns 0, or -1 if S is empty, has trailing characters or is out of
 * range.
 */
int
parse_number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * load_file - read the whole file PATH into a new buffer.
 *
 * Returns 0 with the buffer (to free) in *DATA and its size in *LEN, or -1
 * with errno set. An empty file gives a 1-byte buffer and *LEN 0.
 */
int
load_file(const char *path, unsigned char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long size;
	int saved;

	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) < 0)
		goto fail_seek;
	if ((unsigned long)size > UINT32_MAX) {
		errno = EFBIG; /* more than one message can carry */
		goto fail_seek;
	}
	buf = malloc((size_t)size + 1);
	if (buf == NULL)
		goto fail_seek;
	if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
		if (!ferror(f))
			errno = EIO; /* the file shrank while we read it */
		goto fail_read;
	}
	fclose(f);
	*data = buf;
	*len = (size_t)size;
	return 0;

fail_read:
	free(buf);
fail_seek:
	saved = errno;
	fclose(f);
	errno = saved;
	return -1;
}

/*
 * save_file - write LEN bytes at DATA to a new file PATH.
 *
 * Returns 0, or -1 with errno set.
 */
int
save_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int saved;

	if (f == NULL)
		return -1;
	if (len > 0 && fwrite(data, 1, len, f) != len) {
		saved = errno;
		fclose(f);
		errno = saved;
		return -1;
	}
	return fclose(f);
}
