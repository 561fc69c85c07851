// libpng's simplified read API (Debian: libpng-dev); errors come back as return values, with no longjmp.
#include <png.h>
