import Dispatch

/// Lets go of a large value on a background thread: freeing millions of small allocations one by one is work the
/// caller does not have to wait for (at the end of an import of the Online Retail file, about a tenth of a second
/// on one core). The caller must hold no other reference to it, or the last one to let go frees it.
public enum BackgroundRelease {
    public static func release<T: Sendable>(_ value: consuming T) {
        let value = value
        DispatchQueue.global(qos: .utility).async { withExtendedLifetime(value) {} }
    }
}
