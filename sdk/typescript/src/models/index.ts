/* tslint:disable */
/* eslint-disable */
export * from './BoardingPassView';
export * from './BookingView';
export * from './CheckinAccepted';
export * from './CheckinState';
export * from './CheckinView';
export * from './CreateCheckinRequest';
export * from './CreateGroupCheckinRequest';
export * from './CreateSessionRequest';
export * from './EndReason';
export * from './ErrorBody';
export * from './GroupAccepted';
export * from './PassengerView';
export * from './PayCheckinRequest';
export * from './PaymentAccepted';
export * from './PaymentState';
export * from './Preference';
export * from './SeatMapView';
export * from './SeatPosition';
export * from './SeatState';
export * from './SeatView';
export * from './SessionView';
export * from './WaitState';
