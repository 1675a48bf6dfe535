/* fuzz_onnx.c — ONNX model load from memory through the public API
 * (clcnn_model_load_mem on a reference context): protobuf wire pre-scan,
 * unpack, IR build, attribute schema, shape inference, constant folding.
 * Then every layer and input/output is described, as `clcnn summary` does.
 * Nothing is run: a session would plan the model's declared shapes. */
#include <stdint.h>
#include <stdlib.h>

#include "clcnn.h"

static clcnn_context *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ctx) {
        clcnn_context_options o;
        clcnn_context_options_init(&o);
        o.device = "ref";
        o.no_cache = 1;
        if (clcnn_context_create(&o, &ctx, NULL, 0) != CLCNN_OK)
            abort(); /* harness fault: no reference backend */
    }
    clcnn_model *m = NULL;
    if (clcnn_model_load_mem(ctx, data, size, "fuzz.onnx", &m) != CLCNN_OK)
        return 0;
    clcnn_tensor_info ti;
    clcnn_layer_info li;
    for (int i = 0; i < clcnn_model_num_inputs(m); i++)
        clcnn_model_input(m, i, &ti);
    for (int i = 0; i < clcnn_model_num_outputs(m); i++) {
        clcnn_model_output(m, i, &ti);
        (void)clcnn_model_output_op(m, i);
    }
    for (int i = 0; i < clcnn_model_num_layers(m); i++)
        clcnn_model_layer(m, i, &li);
    clcnn_model_destroy(m);
    return 0;
}
