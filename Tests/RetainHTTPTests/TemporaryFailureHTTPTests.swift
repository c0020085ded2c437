import HTTPTypes
import Hummingbird
@testable import RetainHTTP
import RetainStore
import Testing

@Suite struct TemporaryFailureHTTPTests {
    @Test func aBusyOrUnreachableDatabaseIsA503AndOtherStoreFailuresStayInternal() {
        let busy = APIProblem.from(StoreError.busy("collided 12 times"))
        #expect(busy?.status == 503)
        #expect(busy?.detail.contains("nothing was changed") == true)
        #expect(APIProblem.from(StoreError.unavailable("connection refused"))?.status == 503)
        #expect(APIProblem.from(StoreError.schemaTooNew(database: 9, supported: 4)) == nil)
        #expect(JSONResponse.problem(busy!).headers[.retryAfter] == "1")
    }
}
