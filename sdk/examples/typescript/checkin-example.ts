// Checks one passenger in through the generated TypeScript SDK (sdk/typescript), as a client
// would: log in, read the seat map, ask for a free seat, wait (long poll) for the hold, pay
// with a test card, wait for the payment, and print the boarding pass.
//
// CHECKIN_API_URL (default http://127.0.0.1:8080), CHECKIN_PNR (default DEMO01) and
// CHECKIN_LAST_NAME (default Smith) say where and who. Compiled with tsc together with the
// SDK's sources and run with node 18 or newer (global fetch); see sdk/README.md.

import {
    BookingsApi,
    CheckinState,
    CheckinsApi,
    Configuration,
    ResponseError,
    SeatState,
    SessionsApi,
    WaitState,
} from '../../typescript/src';

declare const process: { env: Record<string, string | undefined>; exit(code: number): never };

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;

// A fresh Idempotency-Key per request this program means (a retry would reuse it).
const key = (what: string): string => `example-typescript-${what}-${Date.now()}-${Math.random()}`;

async function main(): Promise<void> {
    const basePath = env('CHECKIN_API_URL', 'http://127.0.0.1:8080');
    const session = await new SessionsApi(new Configuration({ basePath })).createSession({
        createSessionRequest: { pnr: env('CHECKIN_PNR', 'DEMO01'), lastName: env('CHECKIN_LAST_NAME', 'Smith') },
    });
    const booking = session.booking;
    console.log(`logged in: booking ${booking.pnr} on flight ${booking.flightCode}`);

    const config = new Configuration({ basePath, accessToken: session.token });
    const bookings = new BookingsApi(config);
    const checkins = new CheckinsApi(config);

    const passenger = booking.passengers.find((p) => !p.checkinId);
    if (!passenger) throw new Error('every passenger on this booking has checked in already');

    const map = await bookings.getSeatMap({ flightId: booking.flightId });
    const free = map.seats.filter((s) => s.state === SeatState.Available);
    console.log(`seat map: ${free.length} of ${map.seats.length} seats free`);

    // Another passenger may take a free seat first: then try the next one.
    for (const seat of free.slice(Math.max(0, free.length - 10), free.length - 5)) {
        const accepted = await checkins.createCheckin({
            idempotencyKey: key('checkin'),
            createCheckinRequest: { passengerId: passenger.id, flightId: booking.flightId, seat: seat.seat },
        });
        console.log(`check-in ${accepted.checkinId} for seat ${seat.seat}: ${accepted.state}`);
        const checkin = await checkins.getCheckin({
            checkinId: accepted.checkinId,
            waitWhile: WaitState.Queued,
            waitSecs: 20,
        });
        console.log(`after waiting: ${checkin.state} ${checkin.reason ?? ''}`);
        if (checkin.state !== CheckinState.Held) continue;

        const payment = await checkins.payCheckin({
            checkinId: checkin.id,
            idempotencyKey: key('pay'),
            payCheckinRequest: { paymentMethod: 'tok_visa' },
        });
        console.log(`paying ${payment.amountCents} ${payment.currency}: ${payment.state}`);
        const paid = await checkins.getCheckin({ checkinId: checkin.id, waitWhile: WaitState.Paying, waitSecs: 20 });
        if (paid.state !== CheckinState.Confirmed) throw new Error(`payment ended ${paid.state} ${paid.reason ?? ''}`);

        const bp = await checkins.getBoardingPass({ checkinId: checkin.id });
        console.log(
            `boarding pass: ${bp.passengerName} ${bp.flightCode} ${bp.origin}->${bp.destination} ` +
                `seat ${bp.seat} departs ${bp.departureAt.toISOString()}`,
        );
        console.log(`barcode: ${bp.barcode}`);
        return;
    }
    throw new Error('no seat could be held');
}

main().catch(async (e: unknown) => {
    // The SDK throws ResponseError for an error status; its body is the API's ErrorBody.
    if (e instanceof ResponseError) console.error(`error: ${e.response.status} ${await e.response.text()}`);
    else console.error(e);
    process.exit(1);
});
