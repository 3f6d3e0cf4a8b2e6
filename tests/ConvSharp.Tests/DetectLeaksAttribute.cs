using System.Reflection;
using ConvSharp.Memory;
using Xunit.Sdk;

namespace ConvSharp.Tests;

/// <summary>Fails a test that leaves pooled device buffers behind (host pool and OpenCL pool alike): every buffer the
/// test allocated must be back in its pool when it ends. Buffers a test merely forgot to dispose come back through
/// their finalizers, so the check collects first; what it catches is storage still reachable after the test (held by
/// a graph, a cache, a static) or a reference count that never reached zero. Tracking follows the test's async
/// context, so tests running in parallel do not see each other's buffers.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class DetectLeaksAttribute : BeforeAfterTestAttribute
{
    public override void Before(MethodInfo methodUnderTest) => BufferTracker.Begin();

    public override void After(MethodInfo methodUnderTest)
    {
        BufferTracker? tracker = BufferTracker.Current;
        if (tracker is null) throw new XunitException("DetectLeaks: the tracking region started before the test did not reach its end.");
        tracker.Dispose();
        for (int i = 0; i < 3 && tracker.Outstanding > 0; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        if (tracker.Outstanding != 0)
            throw new XunitException(
                $"{methodUnderTest.DeclaringType?.Name}.{methodUnderTest.Name} leaked {tracker.Outstanding} of the {tracker.Allocated} pooled buffers it allocated.");
    }
}
