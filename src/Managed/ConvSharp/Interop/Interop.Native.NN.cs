using System.Runtime.InteropServices;

namespace ConvSharp;

// Softmax, losses, batch norm and dropout (native/include/cs_nn.h).
internal static partial class Interop
{
    internal static unsafe partial class Native
    {
        /// <summary>CS_REDUCTION_* of cs_nn.h (PyTorch's numbering).</summary>
        internal const int ReductionNone = 0, ReductionMean = 1, ReductionSum = 2;

        // int32_t cs_softmax_f32(int64_t outer, int64_t n, int64_t inner, const float* x, float* y, int32_t log);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_softmax_f32(long outer, long n, long inner, float* x, float* y, int log);

        // int32_t cs_softmax_backward_f32(int64_t outer, int64_t n, int64_t inner, const float* y, const float* dy,
        //                                 float* dx, int32_t log);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_softmax_backward_f32(long outer, long n, long inner, float* y, float* dy, float* dx, int log);

        // int32_t cs_cross_entropy_f32(int64_t n, int64_t c, int64_t inner, const float* logits, const float* target,
        //                              const float* weight, int64_t ignore_index, float label_smoothing,
        //                              int32_t reduction, float* logp, float* loss);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_cross_entropy_f32(long n, long c, long inner, float* logits, float* target,
            float* weight, long ignoreIndex, float labelSmoothing, int reduction, float* logp, float* loss);

        // int32_t cs_cross_entropy_backward_f32(int64_t n, int64_t c, int64_t inner, const float* logp,
        //                                       const float* target, const float* weight, int64_t ignore_index,
        //                                       float label_smoothing, int32_t reduction, const float* dloss,
        //                                       float* dlogits);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_cross_entropy_backward_f32(long n, long c, long inner, float* logp, float* target,
            float* weight, long ignoreIndex, float labelSmoothing, int reduction, float* dloss, float* dlogits);

        // int32_t cs_nll_loss_f32(int64_t n, int64_t c, int64_t inner, const float* logp, const float* target,
        //                         const float* weight, int64_t ignore_index, float label_smoothing, int32_t reduction,
        //                         float* loss);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_nll_loss_f32(long n, long c, long inner, float* logp, float* target,
            float* weight, long ignoreIndex, float labelSmoothing, int reduction, float* loss);

        // int32_t cs_nll_loss_backward_f32(int64_t n, int64_t c, int64_t inner, const float* target, const float* weight,
        //                                  int64_t ignore_index, float label_smoothing, int32_t reduction,
        //                                  const float* dloss, float* dlogp);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_nll_loss_backward_f32(long n, long c, long inner, float* target, float* weight,
            long ignoreIndex, float labelSmoothing, int reduction, float* dloss, float* dlogp);

        // int32_t cs_bce_f32(int64_t n, const float* x, const float* t, float* loss, int64_t* bad);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_bce_f32(long n, float* x, float* t, float* loss, long* bad);

        // int32_t cs_bce_backward_f32(int64_t n, const float* x, const float* t, const float* dy, float* dx, float* dt);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_bce_backward_f32(long n, float* x, float* t, float* dy, float* dx, float* dt);

        // int32_t cs_bce_logits_f32(int64_t n, const float* x, const float* t, const float* pw, float* loss);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_bce_logits_f32(long n, float* x, float* t, float* pw, float* loss);

        // int32_t cs_bce_logits_backward_f32(int64_t n, const float* x, const float* t, const float* pw, const float* dy,
        //                                    float* dx, float* dt, float* dpw);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_bce_logits_backward_f32(long n, float* x, float* t, float* pw, float* dy, float* dx, float* dt, float* dpw);

        // int32_t cs_batchnorm_forward_f32(int64_t n, int64_t c, int64_t l, const float* x, const float* weight,
        //                                  const float* bias, float* running_mean, float* running_var,
        //                                  int32_t training, float momentum, float eps,
        //                                  float* y, float* save_mean, float* save_invstd);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_batchnorm_forward_f32(long n, long c, long l, float* x, float* weight, float* bias,
            float* runningMean, float* runningVar, int training, float momentum, float eps,
            float* y, float* saveMean, float* saveInvStd);

        // int32_t cs_batchnorm_backward_f32(int64_t n, int64_t c, int64_t l, const float* x, const float* dy,
        //                                   const float* weight, const float* save_mean, const float* save_invstd,
        //                                   int32_t training, float* dx, float* dweight, float* dbias);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_batchnorm_backward_f32(long n, long c, long l, float* x, float* dy, float* weight,
            float* saveMean, float* saveInvStd, int training, float* dx, float* dweight, float* dbias);

        // void cs_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);
        [LibraryImport(Libraries.Native)]
        internal static partial void cs_philox4x32_10(uint* counter, uint* key, uint* output);

        // int32_t cs_dropout_f32(int64_t groups, int64_t group_size, uint64_t key, float keep_prob, float scale,
        //                        const float* x, float* y, float* mask);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_dropout_f32(long groups, long groupSize, ulong key, float keepProb, float scale,
            float* x, float* y, float* mask);

        // int32_t cs_dropout_backward_f32(int64_t groups, int64_t group_size, const float* mask, const float* dy,
        //                                 float* dx);
        [LibraryImport(Libraries.Native)]
        internal static partial int cs_dropout_backward_f32(long groups, long groupSize, float* mask, float* dy, float* dx);
    }
}
