/* log.h - where berth-ct reports: stderr always, plus --log FILE (text or JSON lines,
 * the format podman and conmon read). */
#ifndef BERTH_CT_LOG_H
#define BERTH_CT_LOG_H

#include <stdbool.h>

/* Send later messages to path as well (NULL: stderr only); json picks JSON lines. */
void log_init(const char *path, bool json);

/* Report a message at level ("error", "warning"). */
void log_msg(const char *level, const char *msg);

#endif
