// zlib, from Debian's zlib1g-dev: gzip decompression (datasets) and deflate (PNG).
#include <zlib.h>
