/*
 * bytes.c - what a test needs to know about the bytes in a file, in one
 * process.
 *
 *     bytes hex FILE OFFSET COUNT   COUNT bytes from OFFSET (0-based), as
 *                                   spaced lowercase hex ("00 00 00 05");
 *                                   fewer, or nothing, past the end
 *     bytes crc32 FILE              the file's CRC-32 (zlib's), as 8
 *                                   lowercase hex digits
 *
 * The shell pipelines these replace (tail | head | od | tr, gzip | tail |
 * head | od | tr) start five processes each, and a test asks dozens of
 * times: on a machine where an exec costs 5 ms, most of a test's time.
 *
 * Exit status: 0 on success, 1 if the file cannot be read, 2 on a usage
 * error.
 */
#include "sockio.h"

#include <err.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* print_hex - COUNT bytes of FP from OFFSET as spaced hex; 0, or -1 on a read error. */
static int
print_hex(FILE *fp, long offset, long count)
{
	const char *sep = "";
	int c;

	if (fseek(fp, offset, SEEK_SET) != 0)
		return -1;
	while (count-- > 0 && (c = getc(fp)) != EOF) {
		printf("%s%02x", sep, (unsigned)c);
		sep = " ";
	}
	printf("\n");
	return ferror(fp) ? -1 : 0;
}

/* print_crc32 - FP's CRC-32 (reflected, polynomial 0xEDB88320, as zlib); 0, or -1 on a read error. */
static int
print_crc32(FILE *fp)
{
	unsigned char buf[65536];
	uint32_t table[256], crc = 0xFFFFFFFFu;
	size_t n, i;
	int k;

	for (i = 0; i < 256; i++) {
		uint32_t c = (uint32_t)i;

		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		for (i = 0; i < n; i++)
			crc = table[(crc ^ buf[i]) & 0xFF] ^ (crc >> 8);
	if (ferror(fp))
		return -1;
	printf("%08x\n", (unsigned)(crc ^ 0xFFFFFFFFu));
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: bytes hex FILE OFFSET COUNT\n"
	    "       bytes crc32 FILE\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	long offset = 0, count = 0;
	FILE *fp;
	int rc;

	if (argc == 5 && strcmp(argv[1], "hex") == 0) {
		if (parse_long(argv[3], 0, LONG_MAX, &offset) < 0 ||
		    parse_long(argv[4], 0, LONG_MAX, &count) < 0)
			errx(2,
			    "hex: OFFSET and COUNT must be whole numbers, not '%s' '%s'",
			    argv[3], argv[4]);
	} else if (!(argc == 3 && strcmp(argv[1], "crc32") == 0)) {
		usage();
	}
	fp = fopen(argv[2], "rb");
	if (fp == NULL)
		err(1, "%s", argv[2]);
	rc = argc == 5 ? print_hex(fp, offset, count) : print_crc32(fp);
	if (rc < 0)
		err(1, "read %s", argv[2]);
	fclose(fp);
	if (fflush(stdout) == EOF)
		err(1, "stdout");
	return 0;
}
