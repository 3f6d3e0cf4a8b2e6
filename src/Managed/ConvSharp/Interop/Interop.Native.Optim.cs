using System.Runtime.InteropServices;

namespace ConvSharp;

internal static partial class Interop
{
    internal static unsafe partial class Native
    {
        // int32_t cs_sgd_step_f32(int64_t n, float* p, const float* grad, float* buf, float lr, float momentum,
        //                         float dampening, float weight_decay, int32_t nesterov, int32_t maximize, int32_t first_step);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_sgd_step_f32(long n, float* p, float* grad, float* buf, float lr, float momentum,
            float dampening, float weightDecay, int nesterov, int maximize, int firstStep);

        // int32_t cs_adam_step_f32(int64_t n, float* p, const float* grad, float* m, float* v, float* vmax, float lr, float beta1,
        //                          float beta2, float eps, float weight_decay, float bias_correction1, float bias_correction2,
        //                          int32_t decoupled, int32_t maximize);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_adam_step_f32(long n, float* p, float* grad, float* m, float* v, float* vmax, float lr, float beta1,
            float beta2, float eps, float weightDecay, float biasCorrection1, float biasCorrection2, int decoupled, int maximize);

        // int32_t cs_adamax_step_f32(int64_t n, float* p, const float* grad, float* m, float* u, float lr, float beta1,
        //                            float beta2, float eps, float weight_decay, float bias_correction1, int32_t maximize);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_adamax_step_f32(long n, float* p, float* grad, float* m, float* u, float lr, float beta1,
            float beta2, float eps, float weightDecay, float biasCorrection1, int maximize);

        // int32_t cs_rmsprop_step_f32(int64_t n, float* p, const float* grad, float* v, float* grad_avg, float* buf,
        //                             float lr, float alpha, float eps, float weight_decay, float momentum, int32_t maximize);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_rmsprop_step_f32(long n, float* p, float* grad, float* v, float* gradAvg, float* buf,
            float lr, float alpha, float eps, float weightDecay, float momentum, int maximize);

        // int32_t cs_norm_f32(int64_t n, const float* x, int32_t infinity, double* result);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_norm_f32(long n, float* x, int infinity, double* result);
    }
}
