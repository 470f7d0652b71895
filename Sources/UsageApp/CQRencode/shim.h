// libqrencode from the system (Debian's libqrencode-dev), for the machine labels.
#include <qrencode.h>
