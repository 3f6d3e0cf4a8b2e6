/* The window rules of the pools, for the CPU (pooling.c) and OpenCL (pooling.cl); the window rule and the argmax
 * convention are in cs_pooling.h. The CPU's loop shapes (tap-major rows, fused interiors, explicit SIMD) differ
 * from OpenCL's one work-item per output, but both take their bounds, divisors, comparisons and Lp windows from
 * here, so they cannot drift. */
#ifndef CS_SHARED_POOL_H
#define CS_SHARED_POOL_H

#include "cs_dialect.h"

/* Whether v replaces the running maximum m: larger, or a NaN (NaNs propagate). */
CS_DEVICE int cs_beats(float v, float m) { return (v > m) | (v != v); }

/* Taps t in [0, K) whose coordinate start + t·d lies in [0, n): [*t0, *t1). */
CS_DEVICE void cs_pool_tap_range(cs_index start, cs_index K, cs_index d, cs_index n, cs_index* t0, cs_index* t1)
{
    cs_index a = start < 0 ? (-start + d - 1) / d : 0;
    cs_index b = start >= n ? 0 : (n - start + d - 1) / d;
    if (b > K) b = K;
    if (a > b) a = b;
    *t0 = a;
    *t1 = b;
}

/* PyTorch's divisor of the average-pool window starting at (hstart, wstart) of an H×W input with a KH×KW
 * kernel and padding PH, PW; 0 when the window holds no input element. */
CS_DEVICE cs_index cs_pool_avg_divisor(cs_index H, cs_index W, cs_index KH, cs_index KW, cs_index PH, cs_index PW,
                                       cs_index hstart, cs_index wstart, int count_include_pad, int divisor_override)
{
    cs_index hend = hstart + KH, wend = wstart + KW;
    if (hend > H + PH) hend = H + PH;
    if (wend > W + PW) wend = W + PW;
    const cs_index pool = (hend - hstart) * (wend - wstart);
    cs_index hs = hstart < 0 ? 0 : hstart, he = hend > H ? H : hend;
    cs_index ws = wstart < 0 ? 0 : wstart, we = wend > W ? W : wend;
    if (he <= hs || we <= ws) return 0;
    if (divisor_override != 0) return divisor_override;
    return count_include_pad ? pool : (he - hs) * (we - ws);
}

/* (Σ x^p)^(1/p) over rows [hs, he) × columns [ws, we) of a plane with rows of W, computed as m·(Σ (x/m)^p)^(1/p)
 * with m the largest |x|, so large p neither overflows nor underflows; p = 1 is the plain sum. */
CS_DEVICE float cs_pool_lp_window(CS_GLOBAL const float* x, cs_index W, cs_index hs, cs_index he, cs_index ws, cs_index we,
                                  float p)
{
    if (p == 1.0f) {
        float sum = 0.0f;
        for (cs_index ih = hs; ih < he; ih++)
            for (cs_index iw = ws; iw < we; iw++) sum += x[ih * W + iw];
        return sum;
    }
    float m = 0.0f;
    for (cs_index ih = hs; ih < he; ih++)
        for (cs_index iw = ws; iw < we; iw++) {
            float a = CS_FABSF(x[ih * W + iw]);
            m = ((a > m) | (a != a)) ? a : m;
        }
    if (!(m > 0.0f) || isinf(m)) return m;  /* all zeros: 0; a NaN: NaN; an infinity: inf */
    float sum = 0.0f;
    for (cs_index ih = hs; ih < he; ih++)
        for (cs_index iw = ws; iw < we; iw++) {
            float t = x[ih * W + iw] / m;
            sum += p == 2.0f ? t * t : CS_POWF(t, p);
        }
    return m * (p == 2.0f ? CS_SQRTF(sum) : CS_POWF(sum, 1.0f / p));
}

/* Adaptive window i of `out` over `in`: [floor(i·in/out), ceil((i+1)·in/out)). */
CS_DEVICE cs_index cs_pool_adaptive_start(cs_index i, cs_index in, cs_index out) { return (i * in) / out; }
CS_DEVICE cs_index cs_pool_adaptive_end(cs_index i, cs_index in, cs_index out) { return ((i + 1) * in + out - 1) / out; }

/* Start of fractional window i (PyTorch's generate_intervals, in float) for the sample u in [0, 1). */
CS_DEVICE cs_index cs_pool_fractional_start(float u, cs_index i, cs_index in, cs_index out, cs_index k)
{
    if (i == out - 1) return in - k;
    const float alpha = (float)(in - k) / (float)(out - 1);
    cs_index s = (cs_index)(cs_i32)(((float)i + u) * alpha) - (cs_index)(cs_i32)(u * alpha);
    if (s < 0) s = 0;  /* unreachable for u in [0, 1); kept so no rounding can leave the input */
    if (s > in - k) s = in - k;
    return s;
}

#endif
