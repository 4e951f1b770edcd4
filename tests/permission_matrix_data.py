"""The expected answers of tests/test_permission_matrix.py, as tables.

The report is being worked by its handling unit (Kelurahan Kuningan Timur), which
has invited a coordinating unit (Suku Dinas Bina Marga Jakarta Selatan); it is
``coordinated``, and a deadline request of the handling officer waits for the
unit head. Each cell is what the identity gets:

    200 201 204 400 403 404 405 409   the HTTP status
    302                               a redirect, not to the login page
    login                             a redirect to the login page

Back office (session login), one column per identity:
    anon  not logged in                citz  a citizen
    rptr  the reporter of the report   hand  officer of the handling unit
    coor  officer of a coordinating unit
    unrl  officer of an unrelated unit (Kelurahan Gambir)
    head  head of the handling unit    mon   the monitoring room (group)
    sup   a supervisor (group)

The API reads an API key only (TokenAuthentication): ``sess`` is the handling
officer logged in to the back office, sending no key; the other people send a
key of their own account (a supervisor can make one in the admin), which is not
an integrator's. The integrators are a second table:
    conn  a channel connector (Qlue) that did not bring this report in
    home  the system of the handling unit    part  the system of the coordinating
    othr  the system of an unrelated unit    inac  a switched-off integrator's key
"""

OFFICE = """
case                          anon  citz rptr hand coor unrl head mon  sup
inbox GET                     login 404  404  200  200  200  200  302  302
unit-switch POST              login 404  404  302  404  404  302  404  404
unit-switch GET               login 405  405  405  405  405  405  405  405
notifications GET             login 404  404  200  200  200  200  200  200
monitoring GET                login 404  404  404  404  404  404  200  200
monitoring-reports GET        login 404  404  404  404  404  404  200  200
report-warn POST              login 404  404  404  404  404  404  302  302
report-warn GET               login 405  405  405  405  405  405  405  405
audits GET                    login 404  404  404  404  404  404  404  200
audit-decide POST             login 404  404  404  404  404  404  404  302
audit-decide GET              login 405  405  405  405  405  405  405  405
performance GET               login 404  404  200  200  200  200  200  200
performance-csv GET           login 404  404  200  200  200  200  200  200
report GET                    login 404  404  200  200  404  200  200  200
comment-hide POST             login 404  404  302  302  404  302  302  302
comment-hide GET              login 405  405  405  405  405  405  405  405
officer-report-create GET     login 403  403  200  200  200  200  200  200
officer-report-create POST    login 403  403  400  400  400  400  400  400
act:accept POST               login 404  404  409  409  404  409  409  409
act:reject POST               login 404  404  403  403  404  302  403  302
act:dispose POST              login 404  404  302  403  404  302  403  302
act:accept_disposition POST   login 404  404  409  409  404  409  409  409
act:return_disposition POST   login 404  404  409  409  404  409  409  409
act:coordinate POST           login 404  404  302  403  404  302  403  302
act:follow_up POST            login 404  404  302  302  404  302  403  302
act:complete POST             login 404  404  302  403  404  302  403  302
act:dispute POST              login 404  404  409  409  404  409  409  409
act:confirm POST              login 404  404  409  409  404  409  409  409
act:auto_close POST           login 404  404  404  404  404  404  404  404
act:supervisor_reopen POST    login 404  404  409  409  404  409  409  409
act:supervisor_close POST     login 404  404  409  409  404  409  409  409
act:merge POST                login 404  404  302  403  404  302  403  302
act:request_extension POST    login 404  404  409  403  404  409  403  409
act:decide_extension POST     login 404  404  403  403  404  302  403  302
act:reply POST                login 404  404  302  403  404  302  403  302
act:audit_reopen POST         login 404  404  404  404  404  404  404  404
act:* GET                     login 405  405  405  405  405  405  405  405
"""

API_PEOPLE = """
case                       anon sess citz rptr hand coor unrl head mon  sup
schema GET                 200  200  200  200  200  200  200  200  200  200
docs GET                   200  200  200  200  200  200  200  200  200  200
report-list GET            401  401  403  403  403  403  403  403  403  403
report-list POST           401  401  403  403  403  403  403  403  403  403
report-detail GET          401  401  403  403  403  403  403  403  403  403
report-timeline GET        401  401  403  403  403  403  403  403  403  403
report-comments GET        401  401  403  403  403  403  403  403  403  403
report-comments POST       401  401  403  403  403  403  403  403  403  403
action:* POST              401  401  403  403  403  403  403  403  403  403
category-list GET          200  200  200  200  200  200  200  200  200  200
category-detail GET        200  200  200  200  200  200  200  200  200  200
channel-list GET           200  200  200  200  200  200  200  200  200  200
area-list GET              200  200  200  200  200  200  200  200  200  200
area-detail GET            200  200  200  200  200  200  200  200  200  200
unit-list GET              200  200  200  200  200  200  200  200  200  200
unit-detail GET            200  200  200  200  200  200  200  200  200  200
stats GET                  200  200  200  200  200  200  200  200  200  200
stats-headline GET         200  200  200  200  200  200  200  200  200  200
webhook-list GET           401  401  403  403  403  403  403  403  403  403
webhook-list POST          401  401  403  403  403  403  403  403  403  403
webhook-detail GET         401  401  403  403  403  403  403  403  403  403
webhook-detail PATCH       401  401  403  403  403  403  403  403  403  403
webhook-detail DELETE      401  401  403  403  403  403  403  403  403  403
webhook-deliveries GET     401  401  403  403  403  403  403  403  403  403
"""

API_INTEGRATORS = """
case                            conn home part othr inac
schema GET                      200  200  200  200  200
docs GET                        200  200  200  200  200
report-list GET                 200  200  200  200  403
report-list POST                201  403  403  403  403
report-detail GET               404  200  200  404  403
report-timeline GET             404  200  200  404  403
report-comments GET             404  200  200  404  403
report-comments POST            404  201  201  404  403
action:accept POST              404  409  409  404  403
action:reject POST              404  403  403  404  403
action:dispose POST             404  200  403  404  403
action:accept-disposition POST  404  409  409  404  403
action:return-disposition POST  404  409  409  404  403
action:coordinate POST          404  200  403  404  403
action:follow-up POST           404  200  200  404  403
action:complete POST            404  200  403  404  403
action:dispute POST             404  409  409  404  403
action:confirm POST             404  409  409  404  403
action:reply POST               404  200  403  404  403
action:merge POST               404  200  403  404  403
action:request-extension POST   404  409  403  404  403
category-list GET               200  200  200  200  200
category-detail GET             200  200  200  200  200
channel-list GET                200  200  200  200  200
area-list GET                   200  200  200  200  200
area-detail GET                 200  200  200  200  200
unit-list GET                   200  200  200  200  200
unit-detail GET                 200  200  200  200  200
stats GET                       200  200  200  200  200
stats-headline GET              200  200  200  200  200
webhook-list GET                200  200  200  200  403
webhook-list POST               201  201  201  201  403
webhook-detail GET              404  200  404  404  403
webhook-detail PATCH            404  200  404  404  403
webhook-detail DELETE           404  204  404  404  403
webhook-deliveries GET          404  200  404  404  403
"""


def parse(table: str) -> tuple[list[str], dict[tuple[str, str], dict[str, str]]]:
    """The identities (columns) and {(case, method): {identity: answer}}."""
    header, *lines = [line.split() for line in table.strip().splitlines()]
    identities = header[1:]
    rows = {}
    for case, method, *cells in lines:
        assert len(cells) == len(identities), case
        assert (case, method) not in rows, case
        rows[(case, method)] = dict(zip(identities, cells, strict=True))
    return identities, rows
