/* devices.c — the public clcnn_devices_list: the runtime's enumeration with
 * its error turned into the caller's message buffer. */
#include <stdio.h>

#include "../runtime/rt.h"

clcnn_status clcnn_devices_list(clcnn_device_info *out, int cap, int *count, char *err,
                                size_t err_len)
{
    clcnn_err e = {0};
    clcnn_status st = rt_devices_list(out, cap, count, &e);
    if (st && err && err_len)
        snprintf(err, err_len, "%s", e.msg);
    err_clear(&e);
    return st;
}
