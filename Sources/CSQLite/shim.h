// SQLite, from Debian's libsqlite3-dev: the default storage of tuning studies (LeptonTune).
#include <sqlite3.h>
