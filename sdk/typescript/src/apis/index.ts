/* tslint:disable */
/* eslint-disable */
export * from './BookingsApi';
export * from './CheckinsApi';
export * from './SessionsApi';
