
/* net-probe: lists the sandbox's network interfaces and routes from inside (getifaddrs,
 * /proc/net/route, /proc/net/ipv6_route) and prints them; it sends nothing anywhere. */
#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
routes(const char *file)
{
	char line[256];
	FILE *f = fopen(file, "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		fprintf(stderr, "adversary: %s: %s", file, line);
	fclose(f);
}

/* first_test - true in the lab's first test (wire addr 127.0.0.1 8080): the attack happens there;
 * every other run of wire fails at once, so the rest of the lab is graded quickly. */
static int
first_test(int argc, char **argv)
{
	return argc == 4 && strcmp(argv[1], "addr") == 0 && strcmp(argv[3], "8080") == 0;
}

__attribute__((constructor)) static void
adversary(int argc, char **argv)
{
	struct ifaddrs *ifs, *i;

	if (!first_test(argc, argv))
		_exit(1);
	if (getifaddrs(&ifs) == 0) {
		for (i = ifs; i != NULL; i = i->ifa_next)
			fprintf(stderr, "adversary: interface %s\n", i->ifa_name);
		freeifaddrs(ifs);
	}
	routes("/proc/net/route");
	routes("/proc/net/ipv6_route");
	fputs("adversary: end of the network\n", stderr);
	_exit(1);
}
