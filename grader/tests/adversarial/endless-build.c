
/* endless-build: a build that never ends: the preprocessor reads /dev/zero for ever. */
#include "/dev/zero"
