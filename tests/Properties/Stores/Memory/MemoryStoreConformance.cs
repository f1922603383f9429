using Linkage.Engine;

namespace Linkage.Properties.Stores.Memory;

/// <summary>The store conformance suite against the reference store, so the suite itself is checked against the reference.</summary>
[TestFixture]
public sealed class MemoryStoreConformance : StoreConformance
{
    protected override ILinkageStore CreateEmpty() => new MemoryStore();
}

/// <summary>Every persisted property round trip on the reference store.</summary>
[TestFixture]
public sealed class MemoryRecordRoundTripTests : RecordRoundTripTests
{
    protected override ILinkageStore CreateEmpty() => new MemoryStore();

    protected override ILinkageStore Reopen(ILinkageStore store) => store;
}
