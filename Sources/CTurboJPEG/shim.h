// libjpeg-turbo's TurboJPEG API (Debian: libturbojpeg0-dev); errors come back as return values, with no longjmp.
#include <turbojpeg.h>
